"""The land and building assets register the Local Government Transparency Code 2015 requires councils to publish."""
