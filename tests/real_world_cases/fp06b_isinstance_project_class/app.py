import json
import os


class Logger:
    pass


def load_compatible():
    with open(os.path.join(os.path.dirname(__file__), "compatible.json")) as handle:
        return json.load(handle)


def add_callback(callback):
    if isinstance(callback, str) and callback in load_compatible():
        return callback.upper()
    return callback


async def register():
    return add_callback(Logger())  # a Logger instance is not a str: the file is never read
