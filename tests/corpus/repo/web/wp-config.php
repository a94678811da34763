<?php
define('DB_PASSWORD', 'M0shZFdM4HEi%KtFJQu');
define('DB_USER', 'wordpress');
$config = ['api_token' => '1t3E9lh1OQltFyltRcz5MQCjTYNWljTjaKaB2F2I'];
$token = getenv('API_TOKEN');
