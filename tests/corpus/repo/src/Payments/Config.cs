namespace Payments {
  public static class Config {
    private const string SendGridKey = "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";
    public static string ConnectionString = "Server=sql01;Database=pay;User Id=svc;Password=1CXISADWcGNkO7!;";
    public const string PasswordPolicy = "min-12-chars";
  }
}
