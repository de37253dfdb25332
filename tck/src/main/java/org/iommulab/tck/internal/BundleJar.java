package org.iommulab.tck.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import org.osgi.framework.Bundle;

/**
 * The bytes of an installed bundle, to update it with or install it again after an uninstall:
 * read from its location when that is a URL (a file, as FileInstall, the app's {@code --bundle}
 * and the itests install them), else rebuilt from the bundle's own entries, manifest first.
 */
public final class BundleJar {
    private BundleJar() {
    }

    public static byte[] of(Bundle b) throws IOException {
        try (InputStream in = new URL(b.getLocation()).openStream()) {
            return in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            return rebuild(b);
        }
    }

    static byte[] rebuild(Bundle b) throws IOException {
        URL mf = b.getEntry("META-INF/MANIFEST.MF");
        if (mf == null) {
            throw new IOException("bundle " + b.getSymbolicName() + " has no manifest entry to rebuild it from");
        }
        Manifest manifest;
        try (InputStream in = mf.openStream()) {
            manifest = new Manifest(in);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            copy(b, "/", jar);
        }
        return bytes.toByteArray();
    }

    private static void copy(Bundle b, String dir, JarOutputStream jar) throws IOException {
        Enumeration<String> paths = b.getEntryPaths(dir);
        if (paths == null) {
            return;
        }
        while (paths.hasMoreElements()) {
            String p = paths.nextElement();
            if (p.endsWith("/")) {
                copy(b, p, jar);
                continue;
            }
            if (p.equals("META-INF/MANIFEST.MF")) {
                continue;
            }
            URL u = b.getEntry(p);
            if (u == null) {
                continue;
            }
            jar.putNextEntry(new ZipEntry(p));
            try (InputStream in = u.openStream()) {
                in.transferTo(jar);
            }
            jar.closeEntry();
        }
    }
}
