def check(result):
    return result
