from oauth2_provider.oauth2_validators import OAuth2Validator


class SenOAuth2Validator(OAuth2Validator):
    """Claims Sen puts in ID tokens and userinfo."""
