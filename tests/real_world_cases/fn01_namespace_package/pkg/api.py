from pkg.sub.helper import wait_a_bit


async def handler():
    wait_a_bit()  # expect: FAL101
