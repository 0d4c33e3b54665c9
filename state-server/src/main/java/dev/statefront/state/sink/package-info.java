/** Mirrors of views in other databases, fed from the views' change topics: the PostgreSQL sink. */
package dev.statefront.state.sink;
