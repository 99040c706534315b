import os


class CopilotConfig:
    def __init__(self):
        self.token_dir = os.path.expanduser("~/.config/copilot")
        if not os.path.exists(self.token_dir):
            os.makedirs(self.token_dir, exist_ok=True)


def provider_info(model):
    provider = model.split("/", 1)[0]
    if provider == "copilot":
        CopilotConfig()
    return provider


def declared_provider(model):
    prefix = model.split("/", 1)[0]
    return prefix if prefix == "copilot" else None


def inferred_provider(model):
    declared = declared_provider(model)
    if declared is not None:
        return declared
    return provider_info(model)  # only for models that are not copilot/...


async def handler(model: str):
    return inferred_provider(model)
