"""A crawler skips pages that are gone, and queues the others that failed
for a retry, with their error. Leak: the retry queue keeps each
exception, and so its traceback's frames and their 80 KB page buffers.
Which clause caught it matters: the try has three, and in the loop's
inner try the exception goes through a clause that is not its own."""


class NotFound(Exception):
    pass


class ServerError(Exception):
    pass


retry_queue = []


def fetch(url, n):
    page = bytearray(80_000)
    if n % 3 == 0:
        raise NotFound(url)
    if n % 3 == 1:
        raise ServerError(f"{url}: 503 service unavailable")  # probe: raise
    return len(page)


def crawl(n):
    url = f"https://example.com/{n}"
    try:
        try:
            return fetch(url, n)
        except UnicodeError:
            return None
    except (NotFound, KeyError):
        return 0
    except IOError:
        return -1
    except ServerError as e:  # probe: except
        retry_queue.append((url, e))


sizes = [crawl(n) for n in range(90)]
print(len(retry_queue), "to retry,", sizes.count(0), "gone")
