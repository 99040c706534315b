from openai import OpenAI

client = OpenAI()


async def moderate(text):
    return client.moderations.create(input=text)  # sync OpenAI SDK call (missed while a project module was named `openai`)  # expect: FAL109
