package org.iommulab.app.internal.html;

/**
 * One part of a report page: an id (the anchor), a heading, a line saying what the pictures
 * show, and the pictures' markup (already escaped).
 */
public record Section(String id, String title, String intro, String body) {
}
