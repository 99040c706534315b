from openai import AzureOpenAI


def get_client(api_version):
    client = AzureOpenAI(api_key="k", azure_endpoint="https://x", api_version="v")
    if isinstance(client._custom_query, dict):
        client._custom_query.setdefault("api-version", api_version)  # dict.setdefault, no I/O
    return client


async def transcribe(api_version):
    client = get_client(api_version)
    return client
