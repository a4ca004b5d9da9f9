"""A service class configured for Azure OpenAI, as many enterprise apps are."""

import os

from adapters import OpenAI


class ReviewClassifier:
    """Labels customer reviews as positive, negative or neutral."""

    def __init__(self) -> None:
        # TODO(migrate:AZURE): Azure OpenAI settings were removed; deployment names used as model= must become dashscope models (--model-map)
        self.client = OpenAI(
            provider="dashscope",
            api_key=os.environ["DASHSCOPE_API_KEY"],
        )
        self.deployment = "qwen-plus"

    def classify(self, review: str) -> str:
        response = self.client.chat.completions.create(
            model=self.deployment,
            messages=[
                {"role": "system", "content": "Answer with one word: positive, negative or neutral."},
                {"role": "user", "content": review},
            ],
            temperature=0,
            response_format={"type": "json_object"},
        )
        return response.choices[0].message.content


if __name__ == "__main__":
    print(ReviewClassifier().classify("The delivery was fast and the tea was excellent."))
