package io.icegate.storage.parquet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Bridges between parquet-java's file abstractions and ours: read any Iceberg {@code InputFile}
 * (local or S3) with parquet-java's footer reader, and write a Parquet file into memory, to be
 * PUT to object storage in one request.
 */
public final class IcebergParquetFiles {
  private IcebergParquetFiles() {}

  /** A parquet-java view of an Iceberg input file. */
  public static org.apache.parquet.io.InputFile input(org.apache.iceberg.io.InputFile file) {
    return new org.apache.parquet.io.InputFile() {
      @Override
      public long getLength() {
        return file.getLength();
      }

      @Override
      public SeekableInputStream newStream() {
        org.apache.iceberg.io.SeekableInputStream in = file.newStream();
        return new DelegatingSeekableInputStream(in) {
          @Override
          public long getPos() throws IOException {
            return in.getPos();
          }

          @Override
          public void seek(long newPos) throws IOException {
            in.seek(newPos);
          }
        };
      }

      @Override
      public String toString() {
        return file.location();
      }
    };
  }

  /** A Parquet output file in memory; {@link #toByteArray()} once the writer is closed. */
  public static final class InMemoryOutputFile implements OutputFile {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);

    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return new PositionOutputStream() {
        @Override
        public long getPos() {
          return bytes.size();
        }

        @Override
        public void write(int b) {
          bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          bytes.write(b, off, len);
        }
      };
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      bytes.reset();
      return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }

    public byte[] toByteArray() {
      return bytes.toByteArray();
    }
  }
}
