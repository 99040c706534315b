import os
from pathlib import Path


class Storage:
    def __init__(self):
        self.base = Path.cwd()


async def handler(name):
    here = Path.cwd()
    absolute = Path(name).absolute()
    home = Path("~/data").expanduser()
    cwd = os.getcwd()
    storage = Storage()
    return here, absolute, home, cwd, storage
