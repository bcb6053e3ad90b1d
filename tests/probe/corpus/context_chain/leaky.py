"""An uploader retries a chunk from inside the except clause that caught
its failure. Leak: each new TimeoutError gets the one being handled as its
__context__, so the failure kept for the report carries five exceptions,
their tracebacks and every attempt's 30 KB buffer."""

failures = []  # for the report at the end


def upload(chunk, attempt):
    buffer = bytearray(30_000)
    raise TimeoutError(f"chunk {chunk}: attempt {attempt} timed out")  # probe: raise


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
        except TimeoutError as e:  # probe: except
            failures.append(e)


main()
print(f"{len(failures)} chunks failed")
