/**
 * Replay of DMA-API traces recorded on a real Linux machine: the one service the application
 * and the shell call. Everything else in the bundle is internal.
 */
@Export
@Version("1.1.0")
package org.iommulab.replay;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
