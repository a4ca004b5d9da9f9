"""A voice assistant: transcribe a spoken question (a WAV file), answer it, and speak the answer to a file.

    python app.py question.wav answer.wav
"""

import sys
from pathlib import Path

from openai import OpenAI

client = OpenAI()


def transcribe(path: Path) -> str:
    """The question's words, printed as they are recognised."""
    with path.open("rb") as audio:
        stream = client.audio.transcriptions.create(model="gpt-4o-mini-transcribe", file=audio, stream=True)
        text = ""
        for event in stream:
            if event.type == "transcript.text.delta":
                print(event.delta, end="", flush=True)
            elif event.type == "transcript.text.done":
                text = event.text
    print()
    return text


def answer(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "You are a helpful voice assistant. Answer in one short sentence."},
            {"role": "user", "content": question},
        ],
    )
    return reply.choices[0].message.content


def speak(text: str, path: Path) -> int:
    speech = client.audio.speech.create(model="tts-1", voice="nova", input=text, response_format="wav")
    path.write_bytes(speech.content)
    return len(speech.content)


if __name__ == "__main__":
    question_file = Path(sys.argv[1] if len(sys.argv) > 1 else "question.wav")
    answer_file = Path(sys.argv[2] if len(sys.argv) > 2 else "answer.wav")
    print("You said: ", end="")
    question = transcribe(question_file)
    reply = answer(question)
    print("Answer:", reply)
    size = speak(reply, answer_file)
    print(f"Spoken answer saved to {answer_file.name}: {size} bytes of WAV")
