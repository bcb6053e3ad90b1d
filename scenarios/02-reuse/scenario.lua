-- Lesson 2: reusing one exception instance.
-- The Python side is reuse.py (runnable on its own: it prints the same
-- figures from tracemalloc). tests/accuracy/check_reuse.py compares the two,
-- so the steps below run the same batches, in the same order, as its _main().

local N = 100                -- requests (raises) per batch, as in reuse.py
local PAYLOAD = 500 * KB     -- bytes: reuse.py's big local in lookup_user()
local ENTRIES = 2            -- chain entries per raise: handle_request + lookup_user
local FRAMES = 3             -- frames kept per raise: those two + raise_shared (f_back)
local NOISE = PAYLOAD // 4   -- heap tolerance: any payload kept would exceed it
-- What a raise may keep besides its payload: 3 frames, 2 entries. Frame
-- objects shrank in 3.11 (0.6-0.7 KB per raise; 1.4-1.5 KB on 3.8-3.10).
local OVERHEAD = (python.major == 3 and python.minor >= 11) and 1 * KB or 2 * KB

local start                  -- the first heap reading, for the last step

-- Units as the gauges show them: KB = 1000 bytes, MB = 1000 KB.
local function kb(bytes) return string.format("%.0f KB", bytes / KB) end
local function mb(bytes) return string.format("%.1f MB", bytes / MB) end

scenario {
  title = "Reusing one exception instance",
  python = "reuse.py",
  gauges = { "heap", "chain", "frames", "rss" },
  watch = "Errors.user_not_found",
  memory_limit = 256 * MB,   -- the leaky steps hold about 100 MB
}

step("Raise the shared instance 100 times", function()
  check.equals("reuse.py's payload is 500 KB", py.eval("PAYLOAD"), PAYLOAD, "bytes")
  graph.show("Errors.user_not_found")  -- the graph view: watch the chain grow
  local before = probe.sample()
  start = before
  check.equals("the shared instance has no traceback yet", before.chain, 0)

  local guess = predict {
    question = "100 requests raise the shared instance. How many entries will its chain have?",
    number = true,
  }
  py.call("raise_shared", N)
  local after = probe.sample()
  local grown = after.heap - before.heap
  print(("%d raises: chain %d -> %d entries, frames %d -> %d")
    :format(N, before.chain, after.chain, before.frames, after.frames))
  print(("heap +%s, %.0f bytes per raise (payload %d)")
    :format(mb(grown), grown / N, PAYLOAD))

  check.equals("chain: +2 entries per raise",
    after.chain - before.chain, N * ENTRIES)
  check.equals("frames: +3 per raise (the caller too, via f_back)",
    after.frames - before.frames, N * FRAMES)
  check.equals(("heap: one payload per raise, plus under %d bytes"):format(OVERHEAD),
    grown // N, PAYLOAD, OVERHEAD, "bytes")
  reveal(guess, after.chain)
end)

step("Read the chain, newest entry first", function()
  local names = py.eval("chain_names(Errors.user_not_found, 4)")
  for i, name in ipairs(names) do
    print(("entry %d: %s"):format(i, name))
  end
  check.equals("newest raise first: handler, raiser, then the older raise",
    table.concat(names, ","),
    "handle_request,lookup_user,handle_request,lookup_user")

  -- What Python prints for those four entries.
  local printed = py.eval("format_chain(Errors.user_not_found, 4)")
  print("traceback.format_tb(), the first 4 entries:")
  print((printed:gsub("\n$", "")))
  local order, sources = {}, {}
  local last_name
  for line in printed:gmatch("[^\n]+") do
    local name = line:match('^  File .*, line %d+, in (.+)$')
    if name then
      order[#order + 1] = name
      last_name = name
    elseif last_name and line:match("^    %S") then
      sources[#order] = line:match("^%s*(.-)%s*$")
      last_name = nil
    end
  end
  check.equals("the printed traceback lists the same four, in that order",
    table.concat(order, ","), table.concat(names, ","))
  check.equals("its 2nd entry stops at a raise, yet a call follows it",
    sources[2], "raise Errors.user_not_found")
end)

step("Raise it 100 more times", function()
  local guess = predict {
    question = "100 more requests raise it. How long will the chain be then?",
    number = true,
  }
  local before = probe.sample()
  py.call("raise_shared", N)
  local after = probe.sample()
  local grown = after.heap - before.heap
  print(("chain %d -> %d entries, frames %d -> %d, heap +%s (%s kept in all)")
    :format(before.chain, after.chain, before.frames, after.frames,
            mb(grown), mb(after.heap - start.heap)))

  check.equals("chain: 400 entries after 200 raises", after.chain, 2 * N * ENTRIES)
  check.equals("frames: 600 after 200 raises", after.frames, 2 * N * FRAMES)
  check.equals(("heap: one payload per raise, plus under %d bytes"):format(OVERHEAD),
    grown // N, PAYLOAD, OVERHEAD, "bytes")
  reveal(guess, after.chain)
end)

step("Ask the garbage collector", function()
  local before = probe.sample()
  local found = py.collect()
  local after = probe.sample()
  print(("gc.collect() found %d unreachable objects; heap %s -> %s")
    :format(found, mb(before.heap), mb(after.heap)))

  check.flat(("heap: gc.collect() frees none of it (within %s)"):format(kb(NOISE)),
    before.heap, after.heap, NOISE, "bytes")
  check.equals("chain: still 400 entries", after.chain, 2 * N * ENTRIES)
end)

step("Raise a fresh instance 100 times", function()
  local before = probe.sample()
  py.call("raise_fresh", N)
  local after = probe.sample()
  local seen = py.eval("chain_in_handler")
  print(("heap %+d bytes over %d fresh raises; the handler saw %d entries")
    :format(math.floor(after.heap - before.heap), N, seen))

  check.flat(("heap: flat (within %s)"):format(kb(NOISE)),
    before.heap, after.heap, NOISE, "bytes")
  check.equals("each fresh instance's chain: 2 entries, one unwind", seen, ENTRIES)
  check.equals("the shared instance is untouched: 400 entries",
    after.chain, 2 * N * ENTRIES)
end)

step("Reset the shared instance with with_traceback(None)", function()
  local before = probe.sample()
  py.call("raise_reset", N)
  local after = probe.sample()
  print(("chain %d -> %d entries, frames %d -> %d, heap %s -> %s")
    :format(before.chain, after.chain, before.frames, after.frames,
            mb(before.heap), mb(after.heap)))
  print(("still above the start: %s, the last raise's payload")
    :format(kb(after.heap - start.heap)))

  check.equals("chain: 2 entries, the last raise only", after.chain, ENTRIES)
  check.equals("frames: 3, the last raise's", after.frames, FRAMES)
  check.equals(("heap: one payload above the start (within %s)"):format(kb(NOISE)),
    after.heap - start.heap, PAYLOAD, NOISE, "bytes")
end)

step("raise ... from e once, then 100 plain raises", function()
  -- One request finds the database down: lookup_user_db() catches the
  -- ConnectionError and raises the shared instance from it (reset first).
  local guess = predict {
    question = "One request raises the shared error `from` a ConnectionError;"
      .. " 100 plain requests follow. What is its __cause__ then?",
    choices = { "None", "ConnectionError" },
  }
  local before = probe.sample()
  py.call("raise_from_db")
  check.equals("after the database request, __cause__ is the ConnectionError",
    py.eval("repr(Errors.user_not_found.__cause__)"), "ConnectionError('database down')")

  py.call("raise_reset", N)       -- 100 requests that never touch the database
  local after = probe.sample()
  local cause = py.eval("type(Errors.user_not_found.__cause__).__name__")
  reveal(guess, cause)
  print(("after %d plain requests: __cause__ %s, __context__ %s"):format(N,
    cause, py.eval("type(Errors.user_not_found.__context__).__name__")))

  local labels = {}
  for _, e in ipairs(graph.capture("Errors.user_not_found").edges_out) do
    labels[e.label] = e.type
  end
  check.equals("it still holds the ConnectionError as __cause__",
    labels.__cause__, "ConnectionError")
  check.equals("and as __context__ (raised inside its handler)",
    labels.__context__, "ConnectionError")
  local kept = graph.capture("Errors.user_not_found.__cause__").retained or 0
  print(("the cause keeps %s alive: its traceback, frames and the query's rows")
    :format(kb(kept)))
  check.truthy(("the cause keeps the query's %s rows alive (%s)"):format(kb(PAYLOAD), kb(kept)),
    kept >= PAYLOAD)
  check.equals(("heap: two payloads above the start, the last raise's and the"
      .. " cause's (within %s)"):format(kb(NOISE)),
    after.heap - start.heap, 2 * PAYLOAD, NOISE, "bytes")

  local report = py.eval("cause_report(Errors.user_not_found)")
  print("what printing it shows, unindented lines only:")
  for _, line in ipairs(report) do print("  " .. line) end
  local claims = false
  for _, line in ipairs(report) do
    if line:find("direct cause", 1, true) then claims = true end
  end
  check.truthy("the printed traceback still blames the database", claims)
end)

step("A note in every handler: add_note", function()
  if python.minor < 11 and python.major == 3 then
    print(("add_note() arrived in Python 3.11; this is %s"):format(python.version))
    return
  end
  -- Each request's handler adds one note: e.add_note("looking up user 42").
  local guess = predict {
    question = "100 more requests; each handler adds one note to the error it caught."
      .. " How many notes will Errors.user_not_found carry?",
    number = true,
  }
  local before_notes = py.eval("notes(Errors.user_not_found)")
  local before = probe.sample()
  py.call("raise_noted", N)
  local after = probe.sample()
  local count = py.eval("notes(Errors.user_not_found)")
  reveal(guess, count)
  print(("__notes__: %d -> %d; heap %+d bytes"):format(before_notes, count,
    math.floor(after.heap - before.heap)))
  check.equals("the shared instance had no notes before", before_notes, 0)
  check.equals("notes: +1 per request, kept for good", count, N)
  check.equals("the chain stays short: reset on every raise", after.chain, ENTRIES)
  local report = py.eval("cause_report(Errors.user_not_found)")
  print("printing it now ends with:")
  for i = #report - 2, #report do print("  " .. report[i]) end
  local lines = 0
  for _, line in ipairs(report) do
    if line == "looking up user 42" then lines = lines + 1 end
  end
  check.equals("and printing it shows every one of them", lines, N)
end)

step("Two threads, one instance", function()
  -- A second shared error, Busy.service_busy, raised only by two threads.
  probe.watch("Busy.service_busy")
  local guess = predict {
    question = "Threads A and B raise Busy.service_busy once each. A looks at"
      .. " its error after B's raise. How many chain entries does A see?",
    choices = { "2", "4" },
  }
  local r = py.call("thread_pair")
  local after = probe.sample()
  reveal(guess, tostring(r[2]))
  print(("thread A: newest entry its own: %s; %d entries; B's handler among them: %s")
    :format(r[1] == 1 and "yes" or "no", r[2], r[3] == 1 and "yes" or "no"))
  print(("thread B: newest entry its own: %s; %d entries; A's handler among them: %s")
    :format(r[4] == 1 and "yes" or "no", r[5], r[6] == 1 and "yes" or "no"))
  check.equals("A's newest entry is B's handler, not its own", r[1], 0)
  check.equals("A sees 4 entries: its raise unwound 2", r[2], 2 * ENTRIES)
  check.equals("A's chain holds B's handler frame", r[3], 1)
  check.equals("B's chain holds A's handler frame", r[6], 1)
  check.equals("the shared instance keeps all 4", after.chain, 2 * ENTRIES)

  local f = py.call("thread_pair", 1, true)
  print(("fresh instances: A sees %d entries, B %d; each only its own: %s")
    :format(f[2], f[5], (f[1] == 1 and f[3] == 0 and f[4] == 1 and f[6] == 0) and "yes" or "no"))
  check.equals("with a fresh instance each thread sees its own 2 entries",
    table.concat(f, ","), "1,2,0,1,2,0")
end)

step("The article's small loop, measured", function()
  -- raise_in_loop(n): raise loop_error n times, caught in the same function.
  probe.watch("loop_error")
  local first = probe.sample()
  local before = first
  print(" raises   chain  frames       heap        rss")
  for i = 1, 5 do
    py.call("raise_in_loop", 1, 2000)
    local s = probe.sample()
    print(("%7d %7d %7d %+6.0f KB %+6.0f KB"):format(i * 2000, s.chain, s.frames,
      (s.heap - first.heap) / KB, (s.rss - first.rss) / KB))
    check.equals(("batch %d: +2000 entries, one per raise"):format(i),
      s.chain - before.chain, 2000)
    before = s
  end
  local grown = before.heap - first.heap
  print(("%.1f bytes per raise: one traceback object (%d bytes)")
    :format(grown / 10000, py.eval("TB_SIZE")))
  check.equals("frames: 5, one per call of raise_in_loop", before.frames, 5)
  check.equals("heap: one traceback object per raise, nothing else",
    grown / 10000, py.eval("TB_SIZE"), 2, "bytes")
end)

-- The exercise: exercise/handler.py answers requests with (status,
-- message); its errors are shared instances. verify() runs the learner's
-- copy: same answers, same exceptions, and nothing kept per request.
local REQUESTS = {
  { "t-ada", 1, 200, "ada looked up Ada Lovelace" },
  { "nope", 1, 401, "invalid token" },
  { "t-grace", 9, 404, "user not found" },
  { "t-grace", 2, 200, "grace looked up Grace Hopper" },
}
local TRAFFIC = 300            -- requests in the memory test: 150 of them fail
local BODY = 100 * KB          -- exercise/handler.py's request body

-- Helpers verify() adds to the learner's namespace (names they won't use).
local HELPERS = [==[
def _exclab_raised(fn, *args):
    """What fn(*args) raises: "class,message,status,is an ApiError"."""
    try:
        fn(*args)
    except Exception as e:
        return ",".join(map(str, [type(e).__name__, e, getattr(e, "status", None),
                                  isinstance(e, ApiError)]))
    return "nothing raised"


def _exclab_kept_chains():
    """Entries in the tracebacks of every exception the module keeps:
    module globals and the attributes of module-level classes."""
    total = 0
    for value in list(globals().values()):
        found = [value]
        if isinstance(value, type):
            found += list(vars(value).values())
        for obj in found:
            if isinstance(obj, BaseException):
                tb = obj.__traceback__
                while tb is not None:
                    total += 1
                    tb = tb.tb_next
    return total


def _exclab_traffic(n):
    """n requests, the four kinds in turn; how many got 200, 401, 404."""
    requests = [("t-ada", 1), ("nope", 1), ("t-grace", 9), ("t-grace", 2)]
    counts = {200: 0, 401: 0, 404: 0}
    for i in range(n):
        status, _ = handle(*requests[i % len(requests)])
        counts[status] = counts.get(status, 0) + 1
    return [counts[200], counts[401], counts[404]]
]==]

exercise {
  file = "exercise/handler.py",
  task = "Same answers from handle(), but no chain that grows: the heap back after 300 requests.",
  solution = "exercise/solution.py",
  cheats = { "exercise/cheat_no_raise.py", "exercise/cheat_reset.py" },
  hints = {
    "Run a few failed requests and look at Errors.bad_token.__traceback__:"
      .. " how long is its chain, and whose frames are in it?",
    "Every failed request raises the same object, made once when the class"
      .. " was defined. What would make each raise start with no traceback?",
    "Turn each attribute of Errors into a factory, a @staticmethod that"
      .. " returns a new instance, and raise Errors.bad_token() with the brackets.",
  },
  verify = function(path)
    py.load(path)
    py.exec(HELPERS)
    py.collect()
    local start = probe.sample()   -- before the first request

    -- Behaviour: the same answers, and the same exceptions raised.
    for _, r in ipairs(REQUESTS) do
      local got = py.call("handle", 1, r[1], r[2])
      check.equals(("handle(%q, %d) answers %d %s"):format(r[1], r[2], r[3], r[4]),
        ("%s %s"):format(got[1], got[2]), ("%d %s"):format(r[3], r[4]))
    end
    check.equals("authenticate('nope') raises an ApiError, Unauthorized('invalid token'), 401",
      py.eval("_exclab_raised(authenticate, 'nope')"), "Unauthorized,invalid token,401,True")
    check.equals("find_user(9) raises an ApiError, NotFound('user not found'), 404",
      py.eval("_exclab_raised(find_user, 9)"), "NotFound,user not found,404,True")

    -- Memory: 300 more requests, half of them failing.
    local chains = py.eval("_exclab_kept_chains()")
    local counts = py.call("_exclab_traffic", 1, TRAFFIC)
    check.equals(("%d requests: 150 answered 200, 75 401, 75 404"):format(TRAFFIC),
      table.concat(counts, ","), "150,75,75")
    local grown = py.eval("_exclab_kept_chains()") - chains
    check.equals("no exception the module keeps grows its chain", grown, 0)
    check.equals("gc.collect() finds no exception cycles", py.collect(), 0)
    local after = probe.sample()
    check.flat(("heap: back where it started before the first request (within %s)")
      :format(kb(BODY // 2)), start.heap, after.heap, BODY // 2, "bytes")
  end,
}
