import time


def wait_a_bit():
    time.sleep(1)
