from fastapi_asynclint.entry import run

if __name__ == "__main__":
    run()
