import threading

_lock = threading.Lock()
_state = {}


async def update(key, value):
    with _lock:  # acquires a threading.Lock on the loop: not reported  # expect: FAL106
        _state[key] = value
    _lock.acquire()  # reported  # expect: FAL106
    _lock.release()
