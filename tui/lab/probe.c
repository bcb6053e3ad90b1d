/* probe.c — live Python-heap bytes, RSS and the heap cap.
 *
 * The heap figure comes from a hook on the MEM and OBJ allocator domains that
 * keeps a 16-byte header in front of each block (16 keeps the alignment
 * Python expects): the requested size, and a check word that lets
 * probe_block_size tell our blocks from anything else. It adds or
 * subtracts the requested size atomically. RAW is
 * not hooked: pymalloc forwards large MEM/OBJ requests to RAW, so hooking it
 * too would count big blocks twice. Requested sizes, not block sizes, are what
 * tracemalloc counts, so the two agree.
 *
 * The MEM and OBJ domains are only ever called with the GIL held (exclab runs
 * one interpreter, not free-threaded), so one thread at a time changes the
 * count: a relaxed load and store suffice, without the cost of a locked
 * read-modify-write on every allocation. Other threads only read it. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "probe.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

enum { HEADER = 16 };
#define CHECK_WORD ((size_t)0x9e3779b97f4a7c15u)

/* The header: the size, and a check word tied to the size and the block. */
static void put_header(char *block, size_t size)
{
	size_t check = size ^ (size_t)(uintptr_t)block ^ CHECK_WORD;

	memcpy(block, &size, sizeof size);
	memcpy(block + sizeof size, &check, sizeof check);
}

/* Once the cap is reached, blocks up to SMALL_BLOCK may still be had up to
 * HEADROOM past it: enough to build and report the MemoryError and unwind,
 * while the host stops the job. */
enum { SMALL_BLOCK = 64 * 1024 };
#define HEADROOM ((size_t)32 * 1024 * 1024)

struct domain_hook {
	PyMemAllocatorEx orig;
};

static struct domain_hook mem_hook, obj_hook;
static atomic_size_t live_bytes;
static atomic_size_t cap_limit;
static atomic_size_t admit_below = SIZE_MAX;   /* cap_limit, or SIZE_MAX for none */
static atomic_bool cap_hit;
static bool installed;
static int statm_fd = -1;
static long page_size;

static inline void count(size_t add, size_t sub)
{
	size_t now = atomic_load_explicit(&live_bytes, memory_order_relaxed);

	atomic_store_explicit(&live_bytes, now + add - sub, memory_order_relaxed);
}

/* Past the cap: the rare path, out of line. */
static __attribute__((noinline, cold)) bool admit_past(size_t grow, size_t want)
{
	size_t cap = atomic_load_explicit(&cap_limit, memory_order_relaxed);

	if (cap == 0)
		return true;
	atomic_store_explicit(&cap_hit, true, memory_order_relaxed);
	return grow <= SMALL_BLOCK && want <= cap + HEADROOM;
}

/* Inlined into every hook: a compare against admit_below (the cap, or
 * SIZE_MAX when disarmed), not a call. live_bytes is at most PY_SSIZE_T_MAX
 * and so is grow, so the sum cannot wrap. */
static inline bool admit(size_t grow)
{
	size_t want = atomic_load_explicit(&live_bytes, memory_order_relaxed) + grow;

	if (__builtin_expect(want <= atomic_load_explicit(&admit_below, memory_order_relaxed), 1))
		return true;
	return admit_past(grow, want);
}

static void *hook_malloc(void *ctx, size_t size)
{
	struct domain_hook *h = ctx;
	char *p;

	if (size > PY_SSIZE_T_MAX - HEADER || !admit(size))
		return NULL;
	p = h->orig.malloc(h->orig.ctx, size + HEADER);
	if (p == NULL)
		return NULL;
	put_header(p, size);
	count(size, 0);
	return p + HEADER;
}

static void *hook_calloc(void *ctx, size_t nelem, size_t elsize)
{
	struct domain_hook *h = ctx;
	size_t size;
	char *p;

	if (elsize != 0 && nelem > (PY_SSIZE_T_MAX - HEADER) / elsize)
		return NULL;
	size = nelem * elsize;
	if (!admit(size))
		return NULL;
	p = h->orig.calloc(h->orig.ctx, 1, size + HEADER);
	if (p == NULL)
		return NULL;
	put_header(p, size);
	count(size, 0);
	return p + HEADER;
}

static void *hook_realloc(void *ctx, void *ptr, size_t size)
{
	struct domain_hook *h = ctx;
	size_t old;
	char *p;

	if (ptr == NULL)
		return hook_malloc(ctx, size);
	if (size > PY_SSIZE_T_MAX - HEADER)
		return NULL;
	p = (char *)ptr - HEADER;
	memcpy(&old, p, sizeof old);
	if (size > old && !admit(size - old))
		return NULL;
	p = h->orig.realloc(h->orig.ctx, p, size + HEADER);
	if (p == NULL)
		return NULL;
	put_header(p, size);
	count(size, old);
	return p + HEADER;
}

static void hook_free(void *ctx, void *ptr)
{
	struct domain_hook *h = ctx;
	size_t size;
	char *p;

	if (ptr == NULL)
		return;
	p = (char *)ptr - HEADER;
	memcpy(&size, p, sizeof size);
	count(0, size);
	h->orig.free(h->orig.ctx, p);
}

static void hook_domain(PyMemAllocatorDomain domain, struct domain_hook *h)
{
	PyMemAllocatorEx alloc = {
		.ctx = h,
		.malloc = hook_malloc,
		.calloc = hook_calloc,
		.realloc = hook_realloc,
		.free = hook_free,
	};

	PyMem_GetAllocator(domain, &h->orig);
	PyMem_SetAllocator(domain, &alloc);
}

void probe_install_allocator(void)
{
	if (installed)
		return;
	/* Opened once here, before any other thread can sample. */
	statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	page_size = sysconf(_SC_PAGESIZE);
	hook_domain(PYMEM_DOMAIN_MEM, &mem_hook);
	hook_domain(PYMEM_DOMAIN_OBJ, &obj_hook);
	installed = true;
}

static size_t heap_bytes(void)
{
	return atomic_load_explicit(&live_bytes, memory_order_relaxed);
}

static size_t rss_bytes(void)
{
	char buf[128];
	ssize_t n;
	unsigned long size, resident;

	if (statm_fd < 0)
		return 0;
	n = pread(statm_fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%lu %lu", &size, &resident) != 2)
		return 0;
	return (size_t)resident * (size_t)page_size;
}

void probe_set_heap_cap(size_t limit)
{
	atomic_store(&cap_limit, limit);
	atomic_store(&admit_below, limit ? limit : SIZE_MAX);
}

size_t probe_heap_cap(void)
{
	return atomic_load(&cap_limit);
}

bool probe_heap_cap_hit(void)
{
	return atomic_load(&cap_hit);
}

void probe_clear_heap_cap_hit(void)
{
	atomic_store(&cap_hit, false);
}

void probe_sample_process(struct probe_sample *s)
{
	s->t = util_now();
	s->v[PROBE_HEAP] = (double)heap_bytes();
	s->v[PROBE_RSS] = (double)rss_bytes();
	s->have |= (1u << PROBE_HEAP) | (1u << PROBE_RSS);
}

size_t probe_block_size(const void *ptr)
{
	const char *block;
	size_t size, check;

	if (ptr == NULL)
		return 0;
	block = (const char *)ptr - HEADER;
	memcpy(&size, block, sizeof size);
	memcpy(&check, block + sizeof size, sizeof check);
	return check == (size ^ (size_t)(uintptr_t)block ^ CHECK_WORD) ? size : 0;
}

size_t probe_live_bytes(void)
{
	return heap_bytes();
}
