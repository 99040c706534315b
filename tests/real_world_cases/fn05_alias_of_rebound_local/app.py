import time


class Report:
    def close(self):
        time.sleep(1)  # stands for a blocking flush


def cached_report():
    return None


async def handler(reuse: bool):
    if reuse:
        report = cached_report()
    else:
        report = Report()
    with report as current:  # `current` may be either binding of `report`
        pass
    current.close()  # missed: the index keeps only the first binding of `report`  # expect: FAL101


async def direct(reuse: bool):
    if reuse:
        report = cached_report()
    else:
        report = Report()
    report.close()  # reported  # expect: FAL101
