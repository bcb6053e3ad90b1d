"""The uploader, fixed: the report keeps each failure's text."""

failures = []  # for the report at the end


def upload(chunk, attempt):
    buffer = bytearray(30_000)
    raise TimeoutError(f"chunk {chunk}: attempt {attempt} timed out")


def send_chunk(chunk, attempt=1):
    try:
        upload(chunk, attempt)
    except TimeoutError:
        if attempt < 5:
            return send_chunk(chunk, attempt + 1)
        raise


def main():
    for chunk in range(20):
        try:
            send_chunk(chunk)
        except TimeoutError as e:
            failures.append(str(e))


main()
print(f"{len(failures)} chunks failed")
