from enum import Enum

import boto3


class CacheType(str, Enum):
    LOCAL = "local"
    REDIS = "redis"
    S3 = "s3"


class Cache:
    def __init__(self, type=CacheType.LOCAL, bucket=None):
        if type == CacheType.REDIS:
            self.client = {}
        elif type == CacheType.S3:
            self.client = boto3.client("s3")
        else:
            self.client = {}


async def test_connection(settings: dict):
    if settings.get("type") != "redis":
        return False
    return Cache(**settings)  # only type="redis" gets here: no boto3 client
