"""The start-up reference of benchmarks/run.py: the smallest Typer app that does something, one
command that prints one line. run.py runs it with the interpreter of the aes-tracker it times, so
that both import the same Typer."""

import typer

app = typer.Typer()


@app.command()
def main() -> None:
    print("hello")


app()
