"""A service class configured for Azure OpenAI, as many enterprise apps are."""

import os

from openai import AzureOpenAI


class ReviewClassifier:
    """Labels customer reviews as positive, negative or neutral."""

    def __init__(self) -> None:
        self.client = AzureOpenAI(
            api_key=os.environ["AZURE_OPENAI_API_KEY"],
            api_version="2024-06-01",
            azure_endpoint=os.environ.get("AZURE_OPENAI_ENDPOINT", "https://contoso.openai.azure.com"),
        )
        self.deployment = "gpt-4o"

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
