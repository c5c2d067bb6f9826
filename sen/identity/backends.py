from django.contrib.auth.backends import ModelBackend


class SenLoginBackend(ModelBackend):
    """Login by official e-mail (staff) or CCCD / tax code (citizens, businesses)."""
