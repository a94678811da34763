let slackToken = "xoxb-873642406557-6667481092713-zShiz4wrAe623qVoEV6XTgOj"
let placeholderKey = "YOUR_API_KEY_HERE"
