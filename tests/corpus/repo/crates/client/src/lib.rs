const ANTHROPIC_KEY: &str = "sk-ant-api03-Ql2qjqDTMBlphf1VZrcriyIc4LFgTDNWRs5VJ2FV6atucF0U5nbSbyUF2OzrjVdLc7BCtQpy8IWGx-jjSKEuytsWNcQKvAA";
const DEFAULT_TIMEOUT_SECS: u64 = 30;
let secret = std::env::var("CLIENT_SECRET").unwrap_or_default();
const COMMIT: &str = "c9de1ad23c7b2f5bddb2ec21487ceb527d236fec";
