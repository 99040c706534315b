import time
from pathlib import Path


class PromptManager:
    def __init__(self, prompt_file=None):
        self.prompts = {}
        if prompt_file:
            self.prompts["main"] = Path(prompt_file).read_text()

    def parse(self, text):
        return text.split("---")


def generate(prompt, _is_async=False):
    if _is_async:
        return agenerate(prompt)
    time.sleep(1)  # stands for the sync path
    return prompt


async def agenerate(prompt):
    return prompt


async def parse_prompt(text):
    return PromptManager().parse(text)  # no prompt_file: nothing is read


async def generate_endpoint(prompt):
    coro = generate(prompt, _is_async=True)  # returns agenerate's coroutine on its first line
    return await coro
