-- Every logo staff upload, by content hash. The working profile points at one; a published
-- version may still point at an older one until the next publish, so each stays servable.

create table logos (
    sha256 text primary key,
    content_type text not null,
    byte_size bigint not null,
    created_at bigint not null
);

insert into logos (sha256, content_type, byte_size, created_at)
select logo_sha256, logo_content_type, 0, updated_at from company_profile
where logo_sha256 is not null and logo_content_type is not null;
