import threading

locks = {}


async def claim(key):
    lock = threading.Lock()
    lock.acquire()  # a new lock is free: returns at once
    locks[key] = lock
