package io.mnemo.tsdb.head;

import java.util.Arrays;

/**
 * The live series of a head by ref. Refs are handed out in sequence and never reused, so live
 * refs come in dense runs: they are kept in pages of {@value #PAGE_SIZE} consecutive refs,
 * found through a small open-addressing directory of page numbers. A series is one array slot
 * next to the series created just before and after it (appends in creation order, as scrapes
 * deliver them, walk memory in order), and a page is freed with its last series, so refs of
 * series long gone cost nothing.
 */
final class SeriesByRef {
    private static final int PAGE_BITS = 8;
    private static final int PAGE_SIZE = 1 << PAGE_BITS;
    private static final int FREE = -1;

    private int[] pageNos = newDirectory(16);           // directory keys, FREE when unused
    private MemSeries[][] pages = new MemSeries[16][];  // directory values
    private int[] pageCounts = new int[16];             // live series per page
    private int numPages;
    private int size;
    // The page used last: appends in ref order find their page without the directory.
    private int lastPageNo = FREE;
    private MemSeries[] lastPage;

    int size() { return size; }

    /** The series with this ref, or null. */
    MemSeries get(int ref) {
        int pageNo = ref >>> PAGE_BITS;
        MemSeries[] page = pageNo == lastPageNo ? lastPage : findPage(pageNo);
        return page == null ? null : page[ref & (PAGE_SIZE - 1)];
    }

    /**
     * As {@link #get}, without the last-page cache, which it neither reads nor sets: for the
     * head's readers, who look up series at the same time as each other and as the appending
     * thread (under the head's read lock), while {@link #get} writes the cache.
     */
    MemSeries find(int ref) {
        int d = slotOf(ref >>> PAGE_BITS);
        return d < 0 ? null : pages[d][ref & (PAGE_SIZE - 1)];
    }

    /** Adds a series whose ref is not in the table. */
    void add(MemSeries s) {
        int pageNo = s.ref() >>> PAGE_BITS;
        int d = slotOf(pageNo);
        if (d < 0) {
            if (numPages + 1 > pageNos.length - (pageNos.length >> 2)) resize(pageNos.length * 2);
            d = insert(pageNo, new MemSeries[PAGE_SIZE], 0);
            numPages++;
        }
        MemSeries[] page = pages[d];
        if (page[s.ref() & (PAGE_SIZE - 1)] != null) throw new IllegalStateException("ref " + s.ref() + " taken");
        page[s.ref() & (PAGE_SIZE - 1)] = s;
        pageCounts[d]++;
        size++;
    }

    /** Removes the series with this ref; false when absent. */
    boolean remove(int ref) {
        int d = slotOf(ref >>> PAGE_BITS);
        if (d < 0 || pages[d][ref & (PAGE_SIZE - 1)] == null) return false;
        pages[d][ref & (PAGE_SIZE - 1)] = null;
        size--;
        if (--pageCounts[d] == 0) {
            if (lastPage == pages[d]) {
                lastPageNo = FREE;
                lastPage = null;
            }
            deleteAt(d);
            numPages--;
            if (pageNos.length > 16 && numPages < pageNos.length >> 3) resize(pageNos.length >> 1);
        }
        return true;
    }

    /** Every live series, in ref order within a page, pages in no particular order. */
    MemSeries[] all() {
        MemSeries[] out = new MemSeries[size];
        int n = 0;
        for (int d = 0; d < pageNos.length; d++) {
            if (pageNos[d] == FREE) continue;
            for (MemSeries s : pages[d]) if (s != null) out[n++] = s;
        }
        return out;
    }

    private MemSeries[] findPage(int pageNo) {
        int d = slotOf(pageNo);
        if (d < 0) return null;
        lastPageNo = pageNo;
        lastPage = pages[d];
        return lastPage;
    }

    private int slotOf(int pageNo) {
        int mask = pageNos.length - 1;
        for (int d = home(pageNo, mask); pageNos[d] != FREE; d = (d + 1) & mask) {
            if (pageNos[d] == pageNo) return d;
        }
        return -1;
    }

    private static int home(int pageNo, int mask) {
        int h = pageNo * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    private int insert(int pageNo, MemSeries[] page, int count) {
        int mask = pageNos.length - 1;
        int d = home(pageNo, mask);
        while (pageNos[d] != FREE) d = (d + 1) & mask;
        pageNos[d] = pageNo;
        pages[d] = page;
        pageCounts[d] = count;
        return d;
    }

    /** Empties directory slot i and moves back later entries of its probe run. */
    private void deleteAt(int i) {
        int mask = pageNos.length - 1;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (pageNos[j] == FREE) break;
            int h = home(pageNos[j], mask);
            boolean stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
            if (!stays) {
                pageNos[i] = pageNos[j];
                pages[i] = pages[j];
                pageCounts[i] = pageCounts[j];
                i = j;
            }
        }
        pageNos[i] = FREE;
        pages[i] = null;
        pageCounts[i] = 0;
    }

    private void resize(int capacity) {
        int[] oldNos = pageNos;
        MemSeries[][] oldPages = pages;
        int[] oldCounts = pageCounts;
        pageNos = newDirectory(capacity);
        pages = new MemSeries[capacity][];
        pageCounts = new int[capacity];
        for (int d = 0; d < oldNos.length; d++) {
            if (oldNos[d] != FREE) insert(oldNos[d], oldPages[d], oldCounts[d]);
        }
    }

    private static int[] newDirectory(int capacity) {
        int[] a = new int[capacity];
        Arrays.fill(a, FREE);
        return a;
    }
}
