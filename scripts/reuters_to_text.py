"""Reuters-21578 SGML (reut2-*.sgm) -> plain text for biLM pretraining: one paragraph per line.

Each story gives its title, then its body paragraphs (the body is hard-wrapped; a new
paragraph starts with an indented line). Markup and the trailing "Reuter" sign-off are
dropped; character entities (&lt; &#3; ...) are decoded and control characters removed.

    python scripts/reuters_to_text.py ../shared/data/reuters21578 corpus/reuters/reuters.txt

Paragraphs are separated by blank lines, so a reader with paragraphs = true keeps them apart.
"""
import html
import re
from pathlib import Path

import typer
from tqdm import tqdm

STORY = re.compile(r"<REUTERS\b.*?</REUTERS>", re.S)
TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
PARAGRAPH_START = re.compile(r"\n(?=[ \t]+\S)")
SIGN_OFF = re.compile(r"\s*\bReuter\s*$")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    return " ".join(CONTROL.sub(" ", html.unescape(text)).split())


def story_lines(story: str):
    title = TITLE.search(story)
    body = BODY.search(story)
    parts = [title.group(1)] if title else []
    if body:
        parts.extend(PARAGRAPH_START.split(SIGN_OFF.sub("", body.group(1))))
    for part in parts:
        text = clean(part)
        if text:
            yield text


def main(input_dir: Path = typer.Argument(..., exists=True, file_okay=False, help="Folder with reut2-*.sgm"),
         output: Path = typer.Argument(..., help="Text file to write (one paragraph per line)")) -> None:
    files = sorted(input_dir.glob("reut2-*.sgm"))
    if not files:
        raise typer.BadParameter(f"no reut2-*.sgm files in {input_dir}: pass the Reuters-21578 folder")
    output.parent.mkdir(parents=True, exist_ok=True)
    n_stories = n_lines = 0
    with output.open("w", encoding="utf8") as out:
        for path in tqdm(files, desc="reuters", unit="file"):
            # The collection is Latin-1 with a few stray bytes; decode without failing.
            for story in STORY.findall(path.read_text(encoding="latin-1")):
                n_stories += 1
                for line in story_lines(story):
                    out.write(line + "\n\n")
                    n_lines += 1
    typer.echo(f"{n_stories} stories, {n_lines} lines -> {output}")


if __name__ == "__main__":
    typer.run(main)
