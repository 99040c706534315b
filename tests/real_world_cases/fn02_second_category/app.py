import subprocess


def start_sidecar():
    with open("sidecar.log", "w") as log:  # FAL103 is reported ...
        subprocess.Popen(["sidecar", "serve"], stdout=log)  # ... FAL104 is not
    subprocess.run(["sidecar", "wait-ready"], check=True)  # nor this


async def load_config():
    start_sidecar()  # both categories block  # expect: FAL103, FAL104
