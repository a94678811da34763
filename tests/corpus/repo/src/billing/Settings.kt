package billing
object Settings {
    const val STRIPE_SECRET = "sk_live_V76a1PKvsLrgOQ3ntGi0Z0ALZcwNjKHe"
    val dbPassword = "J7utmglhJ1#ROOJwRIM"
    val apiKeyHeader = "X-Api-Key"
    val password = System.getenv("DB_PASSWORD")
}
