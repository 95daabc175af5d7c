"""SMS backends in the style of Django's e-mail backends (settings.SMS_BACKEND)."""
