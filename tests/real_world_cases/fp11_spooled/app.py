import tempfile


async def handler(records):
    buffer = tempfile.SpooledTemporaryFile(max_size=1_000_000)  # in memory until 1 MB
    return buffer, records
