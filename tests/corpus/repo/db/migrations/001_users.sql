CREATE USER reporting WITH PASSWORD 'i5lp8kdUod5t#iaaBP';
CREATE USER app WITH PASSWORD :'app_password';
