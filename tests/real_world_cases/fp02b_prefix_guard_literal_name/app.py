import os


def get_secret(secret_name):
    if secret_name.startswith("oidc/file/"):
        with open(secret_name.removeprefix("oidc/file/")) as f:  # only for oidc/file/ references
            return f.read()
    return os.environ.get(secret_name)


def resolve(value):
    if value.startswith("os.environ/"):
        return get_secret(value.removeprefix("os.environ/"))  # an env-var name, never oidc/...
    return value


async def provider_key():
    return get_secret("GROQ_API_KEY")  # literal name: the open() branch cannot run


async def configured(value):
    return resolve(value)
