"""The library core: models, errors, retries, text, secrets, the browser, evidence and saved
logins. It imports nothing else of the package."""
