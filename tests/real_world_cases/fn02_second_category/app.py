import os
import subprocess


def start_sidecar():
    with open(os.devnull, "w") as devnull:  # FAL103 is reported ...
        subprocess.Popen(["sidecar", "serve"], stdout=devnull)  # ... FAL104 is not
    subprocess.run(["sidecar", "wait-ready"], check=True)  # nor this


async def load_config():
    start_sidecar()  # both categories block  # expect: FAL103, FAL104
