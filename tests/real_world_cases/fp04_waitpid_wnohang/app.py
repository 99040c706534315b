import os


def reap_children():
    reaped = []
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)  # returns (0, 0) at once when no child has exited
        except ChildProcessError:
            break
        if pid == 0:
            break
        reaped.append(pid)
    return reaped


async def supervisor_tick():
    return reap_children()
