from pathlib import Path


class PromptManager:
    def __init__(self, prompt_file=None):
        self.prompt_file = prompt_file
        if self.prompt_file:  # the attribute holds the omitted argument's None
            self.text = Path(self.prompt_file).read_text()


class CallLogger:
    def __init__(self, callbacks=None):
        self.callbacks = callbacks
        self.loaded = self._load(self.callbacks)

    def _load(self, callback_list):
        if callback_list is None:  # None when the constructor got no callbacks
            return None
        return [Path(name).read_text() for name in callback_list]


class JWTAuth:
    def __init__(self, **kwargs):
        config_file_path = kwargs.pop("config_file_path", None)
        if config_file_path is not None:
            self.config = Path(config_file_path).read_text()


async def handler():
    # none of these touches the disk: every guarded value is None here
    return PromptManager(), CallLogger(), JWTAuth(team_field="groups")
