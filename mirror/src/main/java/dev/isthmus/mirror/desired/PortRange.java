package dev.isthmus.mirror.desired;

/** The gateway's listener ports for mirrored services, {@code --port-range}, both ends included. */
public record PortRange(int first, int last) {

    public static final PortRange DEFAULT = new PortRange(14000, 15999);

    public PortRange {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("port range: " + first + "-" + last
                    + " (expected: first-last with 1 <= first <= last <= 65535, e.g. 14000-15999)");
        }
    }

    /** Parses {@code 14000-15999}. */
    public static PortRange parse(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split("-", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("port range: '" + text + "' (expected: first-last, e.g. 14000-15999)");
        }
        try {
            return new PortRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port range: '" + text + "' (expected: first-last, e.g. 14000-15999)");
        }
    }

    public boolean contains(int port) {
        return port >= first && port <= last;
    }

    public int size() {
        return last - first + 1;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
