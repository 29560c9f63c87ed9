/**
 * The write-ahead log: {@link io.treestore.wal.Wal} (open, append, group commit, replay,
 * segment deletion), its options ({@link io.treestore.wal.WalOptions}, {@link
 * io.treestore.wal.Durability}), the file-access hook for fault injection ({@link
 * io.treestore.wal.WalChannels}), records and readers ({@link io.treestore.wal.WalRecord},
 * {@link io.treestore.wal.WalReader}) and its exceptions ({@link
 * io.treestore.wal.WalException}, {@link io.treestore.wal.WalCorruptionException}).
 *
 * <h2>File format, version 1</h2>
 * <ul>
 *   <li>Segment files {@code <first LSN, 20 digits>.wal}, each starting with a 24-byte header
 *       (magic "TSWAL\0\0\1", version, first LSN, CRC32C) followed by record frames; the
 *       layout is given field by field in the class comment of {@link io.treestore.wal.Wal}.
 *   <li>Record frame: length u32, CRC32C u32 (of length, type, payload, LSN), LSN u64, type
 *       u8, payload. LSNs are record sequence numbers: 1, 2, 3 ... without gaps.
 *   <li>All integers are big-endian; checksums are CRC32C (Castagnoli, RFC 3720).
 * </ul>
 *
 * <h2>History</h2>
 * <ul>
 *   <li>1 — first format.
 * </ul>
 */
@org.jspecify.annotations.NullMarked
package io.treestore.wal;
