"""A crawler with a retry queue, fixed: the queue keeps the error's text."""


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
        raise ServerError(f"{url}: 503 service unavailable")
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
    except ServerError as e:
        retry_queue.append((url, str(e)))


sizes = [crawl(n) for n in range(90)]
print(len(retry_queue), "to retry,", sizes.count(0), "gone")
