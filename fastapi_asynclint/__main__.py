from fastapi_asynclint.cli import run

if __name__ == "__main__":
    run()
