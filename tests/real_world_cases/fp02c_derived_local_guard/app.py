import importlib
import os


def get_instance(value, config_file_path=None):
    module_file_path = None
    if config_file_path is not None:
        module_file_path = os.path.join(os.path.dirname(config_file_path), value + ".py")
    if module_file_path is not None:
        with open(module_file_path) as handle:
            return handle.read()
    return importlib.import_module(value)


async def route(target: str):
    return get_instance(target)  # no config_file_path: module_file_path stays None, nothing is read
