import time


class Handler:
    def completion(self, payload):
        def finish(data):
            time.sleep(1)  # stands for a blocking helper
            return data

        async def dispatch():
            return finish(payload)  # missed: `finish` is dropped by the focus pass  # expect: FAL101

        return dispatch()


async def top_level():
    def finish_here():
        time.sleep(1)

    finish_here()  # reported (the helper sits in the coroutine itself)  # expect: FAL101
