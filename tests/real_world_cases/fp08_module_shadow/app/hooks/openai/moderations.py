# app/hooks/ has no __init__.py, so this file is indexed as the top-level module `openai.moderations`
class ModerationGuardrail:
    def _check(self, response):
        if response["flagged"]:
            raise ValueError("flagged")

    async def apply_guardrail(self, response):
        self._check(response)  # plain dict check, reported as `openai.moderations.**`
        return response
